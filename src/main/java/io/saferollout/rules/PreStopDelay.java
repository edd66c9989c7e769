package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a preStop hook delays SIGTERM, when that can be read from the hook. The one reading of
 * hook forms: the rules use it to check a user's hook, the lab to run one.
 *
 * <p>Forms understood (Container hooks docs, "Hook handler implementations"): the {@code sleep}
 * action (KEP-3960); {@code exec} of {@code sleep N} with or without a path ({@code /bin/sleep},
 * {@code /usr/bin/sleep}); a shell ({@code sh}, {@code bash}, {@code ash}, {@code dash}, {@code
 * zsh}, with or without a path) running {@code -c} a script that starts with {@code sleep N}
 * (optionally {@code exec sleep N}), alone or followed by {@code ;} or {@code &&} and more
 * commands. N is seconds, a decimal ({@code 2.5}) or with an {@code s} suffix, as coreutils' sleep
 * takes it. The delay is at least the sleep: what follows it can only add time. Anything else
 * (httpGet, other commands, a sleep after other commands) is unknown.
 */
public final class PreStopDelay {
  private static final Set<String> SHELLS = Set.of("sh", "bash", "ash", "dash", "zsh");
  private static final String SLEEP =
      "(?:exec\\s+)?(?:/usr/bin/|/bin/)?sleep\\s+(\\d{1,6}(?:\\.\\d{1,3})?)s?";
  private static final Pattern LEADING_SLEEP =
      Pattern.compile("^\\s*" + SLEEP + "\\s*(?:$|;|&&|\\n)");
  private static final Pattern SECONDS = Pattern.compile("^(\\d{1,6}(?:\\.\\d{1,3})?)s?$");

  private PreStopDelay() {}

  /** The delay the hook gives before SIGTERM, or empty when it cannot be read from the hook. */
  public static Optional<Duration> of(LifecycleHandler hook) {
    if (hook == null) {
      return Optional.empty();
    }
    if (hook.getSleep() != null && hook.getSleep().getSeconds() != null) {
      return Optional.of(Duration.ofSeconds(hook.getSleep().getSeconds()));
    }
    ExecAction exec = hook.getExec();
    List<String> command =
        exec == null || exec.getCommand() == null ? List.of() : exec.getCommand();
    if (command.size() == 2 && program(command.get(0)).equals("sleep")) {
      Matcher m = SECONDS.matcher(command.get(1).trim());
      return m.matches() ? Optional.of(duration(m.group(1))) : Optional.empty();
    }
    if (command.size() == 3 && usesShell(command) && command.get(1).equals("-c")) {
      Matcher m = LEADING_SLEEP.matcher(command.get(2));
      return m.find() ? Optional.of(duration(m.group(1))) : Optional.empty();
    }
    return Optional.empty();
  }

  /** {@link #of} in whole seconds, rounded down: the delay is at least this long. */
  public static OptionalInt seconds(LifecycleHandler hook) {
    return of(hook)
        .map(d -> OptionalInt.of(Math.toIntExact(d.toSeconds())))
        .orElse(OptionalInt.empty());
  }

  /** True when the hook runs through a shell, which images such as distroless do not have. */
  public static boolean needsShell(LifecycleHandler hook) {
    ExecAction exec = hook == null ? null : hook.getExec();
    return exec != null
        && exec.getCommand() != null
        && !exec.getCommand().isEmpty()
        && usesShell(exec.getCommand());
  }

  private static Duration duration(String seconds) {
    return Duration.ofMillis(new java.math.BigDecimal(seconds).movePointRight(3).longValueExact());
  }

  private static boolean usesShell(List<String> command) {
    return SHELLS.contains(program(command.get(0)));
  }

  private static String program(String path) {
    return path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
  }
}
