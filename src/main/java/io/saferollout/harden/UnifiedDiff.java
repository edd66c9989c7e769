package io.saferollout.harden;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.util.List;

/**
 * {@code diff -u} of a file before and after hardening, as {@code git apply} and reviewers read it.
 */
public final class UnifiedDiff {
  private static final int CONTEXT_LINES = 3;

  private UnifiedDiff() {}

  /** Empty when the texts are equal. */
  public static String of(String name, String before, String after) {
    if (before.equals(after)) {
      return "";
    }
    List<String> a = before.lines().toList();
    List<String> b = after.lines().toList();
    Patch<String> patch = DiffUtils.diff(a, b);
    // git's own labels for an absolute path are a/tmp/x, not a//tmp/x.
    String path = name.startsWith("/") ? name.substring(1) : name;
    List<String> lines =
        UnifiedDiffUtils.generateUnifiedDiff("a/" + path, "b/" + path, a, patch, CONTEXT_LINES);
    return String.join("\n", lines) + "\n";
  }
}
