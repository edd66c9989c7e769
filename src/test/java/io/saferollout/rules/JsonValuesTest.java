package io.saferollout.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class JsonValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void numbersAreComparedByValueAndTypesOtherwiseMatter() {
    assertThat(JsonValues.same(IntNode.valueOf(15), LongNode.valueOf(15))).isTrue();
    assertThat(JsonValues.same(IntNode.valueOf(15), DoubleNode.valueOf(15.0))).isTrue();
    assertThat(JsonValues.same(TextNode.valueOf("25%"), IntNode.valueOf(25))).isFalse();
    assertThat(JsonValues.same(TextNode.valueOf("15"), IntNode.valueOf(15)))
        .as("an env value is a string")
        .isFalse();
    assertThat(JsonValues.same(null, null)).isTrue();
    assertThat(JsonValues.same(IntNode.valueOf(0), null)).isFalse();
  }

  @Test
  void aProbeReadsBackTheSameWithoutItsZerosAndWithTheServersDefaults() throws Exception {
    JsonNode written =
        json("{\"initialDelaySeconds\":0,\"periodSeconds\":5,\"tcpSocket\":{\"port\":8080}}");
    JsonNode served =
        json(
            "{\"failureThreshold\":3,\"periodSeconds\":5,\"successThreshold\":1,"
                + "\"tcpSocket\":{\"port\":8080},\"timeoutSeconds\":1}");
    assertThat(JsonValues.sameAsServed(written, served)).isTrue();
    assertThat(JsonValues.same(written, served)).isFalse();
    JsonNode userChanged =
        json(
            "{\"failureThreshold\":3,\"periodSeconds\":10,\"successThreshold\":1,"
                + "\"tcpSocket\":{\"port\":8080},\"timeoutSeconds\":1}");
    assertThat(JsonValues.sameAsServed(written, userChanged)).as("periodSeconds 5 -> 10").isFalse();
    assertThat(
            JsonValues.sameAsServed(
                json("{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080}}"),
                json("{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080,\"scheme\":\"HTTP\"}}")))
        .isTrue();
  }

  @Test
  void aTopLevelZeroIsAValueTheServerKeeps() {
    assertThat(JsonValues.sameAsServed(IntNode.valueOf(0), null))
        .as("maxUnavailable: 0 is a pointer field")
        .isFalse();
    assertThat(JsonValues.sameAsServed(IntNode.valueOf(0), LongNode.valueOf(0))).isTrue();
  }
}
