package io.saferollout.cli;

/** Input the user must correct (a file, an option, a manifest): exit code 2 with this message. */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
