package io.saferollout.lab.cluster;

import java.util.concurrent.CompletableFuture;

/** A started container, as the kubelet sees it: it can be signalled and it eventually exits. */
public interface RunningContainer {

    /** Asks the process to shut down gracefully; it decides when (or whether) to exit. */
    void sigterm();

    /** Stops the process at once; {@link #exited()} must complete soon after. */
    void sigkill();

    /** Completes when the process has exited, whatever the reason. */
    CompletableFuture<Void> exited();
}
