package io.saferollout.lab.app;

/** How a sidecar proxy fails requests before it is ready. */
public enum SidecarStartup {
  /**
   * Its listener is not open yet: connections are refused (Envoy before it has received its
   * listeners).
   */
  REFUSE_UNTIL_READY,
  /**
   * It listens but has no route yet and answers 503 (Envoy with listeners but no routes or
   * clusters).
   */
  ANSWER_503_UNTIL_READY
}
