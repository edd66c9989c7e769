package io.saferollout.api;

/** Whether the data-plane leg of endpoint removal can be measured. */
public enum DataPlaneVisibility {
  /** The last reading answered on every node (or from Prometheus). */
  Readable,
  /** The last reading failed on at least one node, or Prometheus gave no answer. */
  Unreadable,
  /** preStop.dataPlane.source is None: the user says there is nothing to read. */
  NoSource
}
