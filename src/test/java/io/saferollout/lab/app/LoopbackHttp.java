package io.saferollout.lab.app;

import io.saferollout.load.FailureClass;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test client: one GET, its outcome named the way the load generator names it. Every request uses a
 * new connection, so an outcome never depends on whether a pooled connection was noticed closed.
 */
public final class LoopbackHttp {

  private final HttpClient client;

  public LoopbackHttp(Vertx vertx) {
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout(10_000).setKeepAlive(false));
  }

  public record Outcome(int status, String body, String failure) {
    @Override
    public String toString() {
      return failure != null ? failure : status + " " + body.strip();
    }
  }

  public CompletableFuture<Outcome> send(String url) {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    client
        .request(
            new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setTimeout(60_000))
        .compose(
            req ->
                req.send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    body -> new Outcome(resp.statusCode(), body.toString(), null))))
        .onComplete(
            ar ->
                outcome.complete(
                    ar.succeeded()
                        ? ar.result()
                        : new Outcome(0, "", FailureClass.ofError(ar.cause()))));
    return outcome;
  }

  public Outcome get(String url) {
    try {
      return send(url).get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("GET " + url + " did not complete", e);
    }
  }
}
