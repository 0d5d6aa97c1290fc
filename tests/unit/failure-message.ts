/** The message a check fails with, so a test can assert it word for word; a check that passes is an error. */
export function failureMessage(check: () => void): string {
  try {
    check();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the check passed');
}
