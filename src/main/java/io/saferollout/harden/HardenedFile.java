package io.saferollout.harden;

import io.saferollout.manifest.ManifestFile;
import java.util.List;

/**
 * One input file after hardening.
 *
 * @param text the whole file with the fixes applied; equal to the input when nothing changed
 * @param deployments what happened to each Deployment of the file, in order
 */
public record HardenedFile(
    ManifestFile original, String text, List<HardenedDeployment> deployments) {
  public HardenedFile {
    deployments = List.copyOf(deployments);
  }

  public boolean changed() {
    return !text.equals(original.text());
  }

  public int changeCount() {
    return deployments.stream().mapToInt(d -> d.changes().size()).sum();
  }
}
