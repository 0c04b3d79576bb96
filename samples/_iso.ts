import { generate } from './generate.ts';
