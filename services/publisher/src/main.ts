import { runService } from '@fxcm/service-runtime';
import { createApp } from './app';
import { configSpec } from './config';

runService({ service: 'publisher', spec: configSpec, createApp });
