package io.saferollout.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FailureClassTest {

  @Test
  void statusCodesGetStableNames() {
    assertThat(FailureClass.ofStatus(200)).isNull();
    assertThat(FailureClass.ofStatus(204)).isNull();
    assertThat(FailureClass.ofStatus(500)).isEqualTo("500");
    assertThat(FailureClass.ofStatus(502)).isEqualTo("502");
    assertThat(FailureClass.ofStatus(503)).isEqualTo("503");
    assertThat(FailureClass.ofStatus(504)).isEqualTo("504");
    assertThat(FailureClass.ofStatus(404)).isEqualTo("4xx");
    assertThat(FailureClass.ofStatus(302)).isEqualTo("3xx");
  }

  @Test
  void transportErrorsAreNamedByCauseEvenWhenWrapped() {
    assertThat(FailureClass.ofError(new ConnectException("Connection refused")))
        .isEqualTo(FailureClass.CONNECT_REFUSED);
    assertThat(FailureClass.ofError(new VertxException(new ConnectException("refused"))))
        .isEqualTo(FailureClass.CONNECT_REFUSED);
    assertThat(FailureClass.ofError(new HttpClosedException("Connection was closed")))
        .isEqualTo(FailureClass.RESET);
    assertThat(FailureClass.ofError(new IOException("Connection reset by peer")))
        .isEqualTo(FailureClass.RESET);
    assertThat(FailureClass.ofError(new TimeoutException("no response")))
        .isEqualTo(FailureClass.TIMEOUT);
    assertThat(FailureClass.ofError(new ConnectTimeoutException("connect timed out")))
        .isEqualTo(FailureClass.TIMEOUT);
    assertThat(FailureClass.ofError(new IllegalStateException("bad TLS")))
        .isEqualTo(FailureClass.OTHER_ERROR);
  }
}
