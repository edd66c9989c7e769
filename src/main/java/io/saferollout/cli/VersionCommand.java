package io.saferollout.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "version", description = "Print the SafeRollout version.")
final class VersionCommand implements Callable<Integer> {

  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public Integer call() {
    System.out.println("saferollout " + version());
    return 0;
  }

  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"saferollout " + version()};
    }
  }
}
