package dev.aiflow.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest ("dev" when run from classes). */
public class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    String v = AiflowCommand.class.getPackage().getImplementationVersion();
    return new String[] {"aiflow " + (v == null ? "dev" : v)};
  }
}
