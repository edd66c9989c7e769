package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The files the image build copies into the operator's container: JVM defaults and logging. */
class OperatorImageRuntimeTest {
  static final Path IMAGE_ROOT = Path.of("operator", "image");
  static final Path JVM_OPTIONS = IMAGE_ROOT.resolve("etc/saferollout/jvm.options");
  static final Path LOGBACK = IMAGE_ROOT.resolve("etc/saferollout/logback.xml");

  @Test
  void theJvmAcceptsTheImagesJvmOptions() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(java.toString(), "@" + JVM_OPTIONS, "-version")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  @Test
  void jvmOptionsPointLogbackAtTheFileTheImageShips() throws IOException {
    String configFlag = "-Dlogback.configurationFile=";
    String inImage =
        Files.readAllLines(JVM_OPTIONS).stream()
            .filter(l -> l.startsWith(configFlag))
            .findFirst()
            .orElseThrow()
            .substring(configFlag.length());

    assertThat(IMAGE_ROOT.resolve(inImage.substring(1))).isEqualTo(LOGBACK).exists();
  }

  @Test
  void logsAsTextAtInfoByDefault() throws JoranException {
    LoggerContext context = configure(Map.of());

    assertThat(rootAppenders(context)).containsExactly("CONSOLE");
    assertThat(context.getLogger("io.saferollout").getLevel()).isEqualTo(Level.INFO);
    String line = encode(context, "rollout of web finished");
    assertThat(line)
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ INFO .*rollout of web finished\\R");
  }

  @Test
  void chartValuesSelectJsonLinesAndTheLevel() throws JoranException, IOException {
    LoggerContext context =
        configure(Map.of("SAFEROLLOUT_LOG_FORMAT", "json", "SAFEROLLOUT_LOG_LEVEL", "DEBUG"));

    assertThat(rootAppenders(context)).containsExactly("CONSOLE");
    assertThat(context.getLogger("io.saferollout").getLevel()).isEqualTo(Level.DEBUG);
    JsonNode line = new ObjectMapper().readTree(encode(context, "rollout of web finished"));
    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("formattedMessage").asText()).isEqualTo("rollout of web finished");
    assertThat(line.path("loggerName").asText()).isEqualTo("io.saferollout.test");
  }

  /** Variables are set on the context: logback resolves them there before the environment. */
  private static LoggerContext configure(Map<String, String> variables) throws JoranException {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.putProperty("SAFEROLLOUT_LOGBACK_DIR", LOGBACK.getParent().toAbsolutePath().toString());
    variables.forEach(context::putProperty);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LOGBACK.toFile());
    List<Status> problems =
        context.getStatusManager().getCopyOfStatusList().stream()
            .filter(s -> s.getEffectiveLevel() > Status.INFO)
            .toList();
    assertThat(problems).as("logback configuration problems").isEmpty();
    return context;
  }

  private static List<String> rootAppenders(LoggerContext context) {
    List<String> names = new ArrayList<>();
    Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it =
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    it.forEachRemaining(a -> names.add(a.getName()));
    return names;
  }

  private static String encode(LoggerContext context, String message) {
    Logger logger = context.getLogger("io.saferollout.test");
    LoggingEvent event =
        new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, null, null);
    var encoder =
        ((OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE"))
            .getEncoder();
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }
}
