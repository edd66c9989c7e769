package io.saferollout;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What this build is: the version Maven wrote into version.properties at build time. */
public final class BuildInfo {
  private static final String VERSION = read();

  private BuildInfo() {}

  public static String version() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
