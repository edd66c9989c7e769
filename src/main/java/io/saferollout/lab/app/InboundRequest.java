package io.saferollout.lab.app;

/** A request as a container's handler sees it; the lab's traffic needs no headers. */
record InboundRequest(String method, String uri, byte[] body) {

  String path() {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }
}
