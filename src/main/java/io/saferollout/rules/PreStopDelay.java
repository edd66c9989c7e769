package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How long a preStop hook delays SIGTERM, when that can be read from the hook. */
public final class PreStopDelay {
  private static final Set<String> SHELLS = Set.of("sh", "bash", "ash", "dash");
  // A script that starts by sleeping: "sleep 15", "sleep 15s;", "sleep 15 && nginx -s quit".
  private static final Pattern LEADING_SLEEP = Pattern.compile("^\\s*sleep\\s+(\\d{1,6})s?\\s*(?:$|;|&&)");
  private static final Pattern SECONDS = Pattern.compile("^(\\d{1,6})s?$");

  private PreStopDelay() {}

  /**
   * Seconds the hook waits at least: the native sleep action, {@code sleep N}, or a shell script that
   * starts with {@code sleep N}. Empty for anything else (httpGet, other commands).
   */
  public static OptionalInt seconds(LifecycleHandler hook) {
    if (hook == null) {
      return OptionalInt.empty();
    }
    if (hook.getSleep() != null && hook.getSleep().getSeconds() != null) {
      return OptionalInt.of(Math.toIntExact(hook.getSleep().getSeconds()));
    }
    ExecAction exec = hook.getExec();
    List<String> command = exec == null || exec.getCommand() == null ? List.of() : exec.getCommand();
    if (command.size() == 2 && program(command.get(0)).equals("sleep")) {
      Matcher m = SECONDS.matcher(command.get(1).trim());
      return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
    if (command.size() == 3 && usesShell(command) && command.get(1).equals("-c")) {
      Matcher m = LEADING_SLEEP.matcher(command.get(2));
      return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
    return OptionalInt.empty();
  }

  /** True when the hook runs through a shell, which images such as distroless do not have. */
  public static boolean needsShell(LifecycleHandler hook) {
    ExecAction exec = hook == null ? null : hook.getExec();
    return exec != null && exec.getCommand() != null && !exec.getCommand().isEmpty() && usesShell(exec.getCommand());
  }

  private static boolean usesShell(List<String> command) {
    return SHELLS.contains(program(command.get(0)));
  }

  private static String program(String path) {
    return path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
  }
}
