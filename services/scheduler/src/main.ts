import { runService } from '@fxcm/service-runtime';
import { createApp } from './app';
import { configSpec } from './config';

runService({ service: 'scheduler', spec: configSpec, createApp });
