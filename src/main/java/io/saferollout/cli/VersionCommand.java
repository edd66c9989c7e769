package io.saferollout.cli;

import io.saferollout.BuildInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "version", description = "Print the SafeRollout version.")
final class VersionCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.out.println("saferollout " + BuildInfo.version());
    return 0;
  }

  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"saferollout " + BuildInfo.version()};
    }
  }
}
