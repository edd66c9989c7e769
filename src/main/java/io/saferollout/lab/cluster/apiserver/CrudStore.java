package io.saferollout.lab.cluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;

/**
 * The mock server's CRUD store, reached with requests of its own: it keeps objects, resource
 * versions, generations, finalizers and watches, and everything the lab's API does beyond plain
 * storage is computed before it writes here.
 */
final class CrudStore {

  private final Dispatcher store;

  CrudStore(Dispatcher store) {
    this.store = store;
  }

  MockResponse forward(RecordedRequest request) {
    return store.dispatch(request);
  }

  /** The object at this path, or null when there is none. */
  JsonNode get(String path) {
    MockResponse r = send(HttpMethod.GET, path, null, null);
    return r.code() == 200 ? Json.read(r.getBody().readUtf8()) : null;
  }

  MockResponse put(String path, JsonNode body) {
    return send(HttpMethod.PUT, path, "application/json", Json.write(body));
  }

  MockResponse post(String path, JsonNode body) {
    return send(HttpMethod.POST, path, "application/json", Json.write(body));
  }

  MockResponse delete(String path) {
    return send(HttpMethod.DELETE, path, null, null);
  }

  private MockResponse send(HttpMethod method, String path, String contentType, String body) {
    Headers.Builder headers = Headers.builder();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    Buffer buffer = new Buffer();
    if (body != null) {
      buffer.write(body.getBytes(StandardCharsets.UTF_8));
    }
    return store.dispatch(new RecordedRequest("HTTP/1.1", method, path, headers.build(), buffer));
  }
}
