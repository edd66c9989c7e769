package io.saferollout.lab.cluster;

/**
 * Receives the lab's timeline as it happens. Called from controller threads: implementations must
 * be thread-safe and quick, and must not call back into the cluster.
 */
@FunctionalInterface
public interface LabEvents {

  LabEvents NONE = event -> {};

  void record(LabEvent event);
}
