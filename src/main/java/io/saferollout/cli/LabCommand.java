package io.saferollout.cli;

/**
 * A subcommand that runs the local lab. {@link SafeRolloutCli} finds these with {@link
 * java.util.ServiceLoader} (META-INF/services) rather than naming them, so the operator artifact
 * and its image, built without the lab, still start: they simply have no such command. An
 * implementation is a picocli {@code @Command} with a public no-argument constructor.
 */
public interface LabCommand {}
