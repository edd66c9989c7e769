package io.saferollout.load;

/** Which hosts a load plan may send to. */
public enum TargetScope {
  /** Only 127.0.0.0/8 or ::1: the lab, and tests that must never leave the machine. */
  LOOPBACK_ONLY,
  /** Any host: {@code saferollout verify} against a real cluster. */
  ANY
}
