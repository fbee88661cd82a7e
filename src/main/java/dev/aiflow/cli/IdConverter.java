package dev.aiflow.cli;

import dev.aiflow.ids.Ids;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks a project, task or run id given on the command line against the one id grammar ({@link
 * Ids}) before any command builds a path from it: {@code --project-id ../../etc} is a usage error
 * (exit 2), never a folder outside the data directory.
 */
final class IdConverter implements ITypeConverter<String> {

  @Override
  public String convert(String value) {
    if (!Ids.isValid(value)) {
      throw new TypeConversionException("not a valid id: use " + Ids.RULE);
    }
    return value;
  }
}
