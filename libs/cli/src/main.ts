#!/usr/bin/env node
import { runCatga } from './program.js';

process.exitCode = await runCatga(process.argv.slice(2));
