import { runService } from '@fxcm/service-runtime';
import { createApp } from './app';
import { configSpec } from './config';

runService({ service: 'ingestor', spec: configSpec, createApp });
