export { catgaProgram, exitCodeOf, runCatga } from './program.js';
export { ExitCode } from './exit-codes.js';
export { openSession, UnavailableError, UsageError, type ConnectionFlags, type Session } from './session.js';
