/**
 * A failure the command explains itself: printed as `backsoon <command>:
 * <message>`, without a stack trace, and the process exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1 for a failure, 2 for a command line that cannot be understood. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
