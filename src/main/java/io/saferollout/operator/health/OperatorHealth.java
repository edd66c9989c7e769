package io.saferollout.operator.health;

/** A snapshot for /readyz: started and informers healthy, and this instance's leadership. */
public record OperatorHealth(boolean started, boolean informersHealthy, Leadership leadership) {

  public enum Leadership {
    LEADER,
    STANDBY,
    NOT_ELECTING
  }

  /**
   * A standby replica is ready: it is healthy and will take over within a lease duration, and
   * marking it unready would make a rolling update of the operator itself wait forever.
   */
  public boolean ready() {
    return started && informersHealthy;
  }

  public String describe() {
    String state = !started ? "starting" : informersHealthy ? "ready" : "informers unhealthy";
    return state + "; leadership=" + leadership.name().toLowerCase();
  }
}
