package io.saferollout.lab.cluster;

import java.util.ArrayList;
import java.util.List;

/** A {@link LabEvents} that keeps every event in arrival order, for reports and tests. */
public final class LabTimeline implements LabEvents {

  private final List<LabEvent> events = new ArrayList<>();

  @Override
  public synchronized void record(LabEvent event) {
    events.add(event);
  }

  public synchronized List<LabEvent> events() {
    return List.copyOf(events);
  }

  public synchronized List<LabEvent> events(LabEvent.Kind kind) {
    return events.stream().filter(e -> e.kind() == kind).toList();
  }

  public synchronized List<LabEvent> eventsFor(String podName) {
    return events.stream().filter(e -> podName.equals(e.name())).toList();
  }
}
