package io.saferollout.operator.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (version 0.0.4, what kube-proxy's /metrics serves):
 * one sample per line, {@code name{label="value",...} value [timestamp]}, comments and blank lines
 * skipped. Label values may hold escaped backslashes, quotes and newlines.
 */
final class PrometheusText {
  private PrometheusText() {}

  record Sample(String name, Map<String, String> labels, double value) {}

  /** Every sample of the page; a malformed line fails with its line number and what is wrong. */
  static List<Sample> parse(String page) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = page.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(parseLine(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "metrics line " + (i + 1) + ": " + e.getMessage() + ": " + abbreviate(line), e);
      }
    }
    return samples;
  }

  private static Sample parseLine(String line) {
    int pos = 0;
    while (pos < line.length() && isNameChar(line.charAt(pos), pos == 0)) {
      pos++;
    }
    if (pos == 0) {
      throw new IllegalArgumentException("expected a metric name");
    }
    String name = line.substring(0, pos);
    Map<String, String> labels = new LinkedHashMap<>();
    if (pos < line.length() && line.charAt(pos) == '{') {
      pos = parseLabels(line, pos + 1, labels);
    }
    String[] rest = line.substring(pos).strip().split("\\s+");
    if (rest.length == 0 || rest[0].isEmpty() || rest.length > 2) {
      throw new IllegalArgumentException(
          "expected a value and an optional timestamp after the name");
    }
    return new Sample(name, labels, parseValue(rest[0]));
  }

  /** Returns the position just after the closing brace. */
  private static int parseLabels(String line, int pos, Map<String, String> labels) {
    while (true) {
      pos = skipSpaces(line, pos);
      if (pos < line.length() && line.charAt(pos) == '}') {
        return pos + 1;
      }
      int start = pos;
      while (pos < line.length() && isNameChar(line.charAt(pos), pos == start)) {
        pos++;
      }
      if (pos == start) {
        throw new IllegalArgumentException("expected a label name at column " + (pos + 1));
      }
      String key = line.substring(start, pos);
      pos = skipSpaces(line, pos);
      if (pos + 1 >= line.length()
          || line.charAt(pos) != '='
          || line.charAt(skipSpaces(line, pos + 1)) != '"') {
        throw new IllegalArgumentException("expected =\"value\" after label " + key);
      }
      pos = skipSpaces(line, pos + 1) + 1;
      StringBuilder value = new StringBuilder();
      while (true) {
        if (pos >= line.length()) {
          throw new IllegalArgumentException("unterminated value of label " + key);
        }
        char c = line.charAt(pos++);
        if (c == '"') {
          break;
        }
        if (c == '\\' && pos < line.length()) {
          char escaped = line.charAt(pos++);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
      }
      labels.put(key, value.toString());
      pos = skipSpaces(line, pos);
      if (pos < line.length() && line.charAt(pos) == ',') {
        pos++;
      } else if (pos >= line.length() || line.charAt(pos) != '}') {
        throw new IllegalArgumentException("expected , or } after the value of label " + key);
      }
    }
  }

  static double parseValue(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "' is not a number");
        }
      }
    };
  }

  private static boolean isNameChar(char c, boolean first) {
    return Character.isLetter(c) || c == '_' || c == ':' || (!first && Character.isDigit(c));
  }

  private static int skipSpaces(String line, int pos) {
    while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
      pos++;
    }
    return pos;
  }

  private static String abbreviate(String line) {
    return line.length() <= 120 ? line : line.substring(0, 117) + "...";
  }
}
