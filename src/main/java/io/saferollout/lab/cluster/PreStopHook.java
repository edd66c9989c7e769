package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's preStop hook as the lab can run it: the native sleep action (KEP-3960), an exec
 * hook that is a recognisable {@code sleep N} (the lab runs no processes, so it can only honour
 * the delay), or an HTTP GET. See
 * https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
sealed interface PreStopHook {

    record None() implements PreStopHook {
    }

    record Sleep(Duration duration) implements PreStopHook {
    }

    record HttpGet(HTTPGetAction action) implements PreStopHook {
    }

    /** An exec hook that is not a plain sleep: the lab cannot run it, so it takes no time. */
    record UnrecognisedExec(List<String> command) implements PreStopHook {
    }

    /** The sleep action dropped by an API server without PodLifecycleSleepAction (before 1.30). */
    record UnsupportedSleep(long seconds) implements PreStopHook {
    }

    Pattern SHELL = Pattern.compile("(?:.*/)?(?:sh|bash|ash|dash|zsh)");
    Pattern SLEEP_SCRIPT = Pattern.compile("\\s*(?:exec\\s+)?(?:/bin/|/usr/bin/)?sleep\\s+(\\d+(?:\\.\\d+)?)s?\\s*;?\\s*");

    static PreStopHook of(Container container, SimulatedVersion version) {
        Optional<LifecycleHandler> handler = Optional.ofNullable(container.getLifecycle()).map(Lifecycle::getPreStop);
        if (handler.isEmpty()) {
            return new None();
        }
        LifecycleHandler h = handler.get();
        if (h.getSleep() != null && h.getSleep().getSeconds() != null) {
            long seconds = h.getSleep().getSeconds();
            return version.supportsSleepAction() ? new Sleep(Duration.ofSeconds(seconds)) : new UnsupportedSleep(seconds);
        }
        if (h.getHttpGet() != null) {
            return new HttpGet(h.getHttpGet());
        }
        if (h.getExec() != null) {
            return execSleep(h.getExec()).<PreStopHook>map(Sleep::new).orElseGet(() -> new UnrecognisedExec(h.getExec().getCommand()));
        }
        return new None();
    }

    /** {@code ["sleep","15"]} or a shell running {@code sleep 15} and nothing else. */
    static Optional<Duration> execSleep(ExecAction exec) {
        List<String> command = exec.getCommand() == null ? List.of() : exec.getCommand();
        String script;
        if (command.size() == 3 && SHELL.matcher(command.get(0)).matches() && "-c".equals(command.get(1))) {
            script = command.get(2);
        } else {
            script = String.join(" ", command);
        }
        Matcher m = SLEEP_SCRIPT.matcher(script);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * 1000)));
    }
}
