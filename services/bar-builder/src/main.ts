import { runService } from '@fxcm/service-runtime';
import { createApp } from './app';
import { configSpec } from './config';

runService({ service: 'bar-builder', spec: configSpec, createApp });
