package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An object's {@code metadata.managedFields}: for each manager and operation, the fields it owns.
 * An Apply entry and an Update entry of one manager name are separate owners, as in the API server.
 */
final class ManagedFields {

  enum Operation {
    Apply,
    Update
  }

  record Manager(String name, Operation operation) {
    /** How conflict messages name a manager (managedfields/internal/conflict.go printManager). */
    String display(String apiVersion, String time) {
      if (operation == Operation.Apply) {
        return "\"" + name + "\"";
      }
      return "\"" + name + "\" using " + apiVersion + (time == null ? "" : " at " + time);
    }
  }

  record Entry(FieldSet fields, String apiVersion, String time) {}

  private final Map<Manager, Entry> entries;

  ManagedFields(Map<Manager, Entry> entries) {
    this.entries = new LinkedHashMap<>(entries);
  }

  static ManagedFields of(JsonNode object) {
    Map<Manager, Entry> entries = new LinkedHashMap<>();
    for (JsonNode e : object.path("metadata").path("managedFields")) {
      // Status-subresource entries are kept by the store as they are; the main resource's owners
      // are these.
      if (!e.path("subresource").asText("").isEmpty()) {
        continue;
      }
      Operation op =
          "Apply".equals(e.path("operation").asText()) ? Operation.Apply : Operation.Update;
      entries.put(
          new Manager(e.path("manager").asText(""), op),
          new Entry(
              FieldSet.fromFieldsV1(e.path("fieldsV1")),
              e.path("apiVersion").asText("apps/v1"),
              e.path("time").asText(null)));
    }
    return new ManagedFields(entries);
  }

  Map<Manager, Entry> entries() {
    return entries;
  }

  FieldSet fieldsOf(Manager m) {
    Entry e = entries.get(m);
    return e == null ? FieldSet.EMPTY : e.fields();
  }

  /** Sets a manager's fields; an empty set removes the manager, as the API server does. */
  void put(Manager m, FieldSet fields, String apiVersion, boolean touched) {
    if (fields.isEmpty()) {
      entries.remove(m);
      return;
    }
    Entry old = entries.get(m);
    String time = touched || old == null || !old.fields().equals(fields) ? now() : old.time();
    entries.put(m, new Entry(fields, apiVersion, time));
  }

  /**
   * Writes the entries into the object's metadata, keeping status-subresource entries of the live
   * object.
   */
  void writeTo(ObjectNode object, JsonNode live) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    entries.forEach(
        (m, e) -> {
          ObjectNode entry = list.addObject();
          entry.put("apiVersion", e.apiVersion());
          entry.put("fieldsType", "FieldsV1");
          entry.set("fieldsV1", e.fields().toFieldsV1());
          entry.put("manager", m.name());
          entry.put("operation", m.operation().name());
          if (e.time() != null) {
            entry.put("time", e.time());
          }
        });
    if (live != null) {
      for (JsonNode e : live.path("metadata").path("managedFields")) {
        if (!e.path("subresource").asText("").isEmpty()) {
          list.add(e.deepCopy());
        }
      }
    }
    object.withObjectProperty("metadata").set("managedFields", list);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
