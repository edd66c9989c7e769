package io.saferollout.manifest;

/** Manifest text that cannot be read: the message names the file and line, as an editor would. */
public class MalformedManifestException extends IllegalArgumentException {
  private final String file;
  private final int line;

  public MalformedManifestException(String file, int line, String problem, Throwable cause) {
    super(file + ":" + line + ": " + problem, cause);
    this.file = file;
    this.line = line;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }
}
