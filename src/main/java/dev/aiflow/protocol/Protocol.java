package dev.aiflow.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.aiflow.json.JsonInputException;
import dev.aiflow.json.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place where protocol JSON is read and written. Parsing is strict: the document must be
 * valid JSON without duplicate keys and must validate against its JSON Schema (draft 2020-12,
 * shipped under {@code aiflow/schemas/} in the jar), so unknown fields, missing fields, wrong types
 * and unknown enum values are refused, each named by its JSON pointer.
 */
public final class Protocol {

  /** The three documents of the protocol and their schemas. */
  public enum Kind {
    STEP_PACK("StepPack", "step-pack.v1.json", StepPack.class),
    REWORK_PACK("ReworkPack", "rework-pack.v1.json", ReworkPack.class),
    STEP_RESULT("StepResult", "step-result.v1.json", StepResult.class);

    final String label;
    final String schemaFile;
    final Class<?> type;

    Kind(String label, String schemaFile, Class<?> type) {
      this.label = label;
      this.schemaFile = schemaFile;
      this.type = type;
    }

    /** The schema's path in the jar. */
    public String schemaResource() {
      return "aiflow/schemas/" + schemaFile;
    }
  }

  private static final String SCHEMA_BASE = "https://aiflow.dev/schemas/";

  private static final ObjectMapper READER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .build();

  private static final ObjectMapper WRITER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder ->
              builder.schemaIdResolvers(
                  resolvers -> resolvers.mapPrefix(SCHEMA_BASE, "classpath:aiflow/schemas/")));

  private static final java.util.Map<Kind, Schema> SCHEMAS = new java.util.EnumMap<>(Kind.class);

  static {
    for (Kind kind : Kind.values()) {
      Schema schema = REGISTRY.getSchema(SchemaLocation.of(SCHEMA_BASE + kind.schemaFile));
      schema.initializeValidators();
      SCHEMAS.put(kind, schema);
    }
  }

  /** Every property name the schemas define: what a content-free pointer may show. */
  private static final Set<String> VOCABULARY = vocabulary();

  private Protocol() {}

  private static Set<String> vocabulary() {
    Set<String> names = new java.util.HashSet<>();
    for (String file :
        new String[] {
          "defs.v1.json", "step-pack.v1.json", "rework-pack.v1.json", "step-result.v1.json"
        }) {
      try (var in = Protocol.class.getClassLoader().getResourceAsStream("aiflow/schemas/" + file)) {
        if (in != null) {
          collect(READER.readTree(in), names);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Set.copyOf(names);
  }

  private static void collect(JsonNode n, Set<String> names) {
    if (n.isObject()) {
      JsonNode props = n.get("properties");
      if (props != null && props.isObject()) {
        props.fieldNames().forEachRemaining(names::add);
      }
      n.elements().forEachRemaining(c -> collect(c, names));
    } else if (n.isArray()) {
      n.elements().forEachRemaining(c -> collect(c, names));
    }
  }

  public static StepPack parseStepPack(String json) {
    return parse(Kind.STEP_PACK, json, StepPack.class);
  }

  public static ReworkPack parseReworkPack(String json) {
    return parse(Kind.REWORK_PACK, json, ReworkPack.class);
  }

  public static StepResult parseStepResult(String json) {
    return parse(Kind.STEP_RESULT, json, StepResult.class);
  }

  /** Parses and validates a document of the given kind. */
  public static <T> T parse(Kind kind, String json, Class<T> type) {
    if (json == null) {
      throw new ProtocolException(
          kind.label, List.of(new ProtocolError("", "JSON_SYNTAX", "there is no document")));
    }
    JsonNode tree;
    try {
      // strict and content-free: the parser's own messages would quote the document
      tree = StrictJson.readTree(json);
    } catch (JsonInputException e) {
      throw new ProtocolException(
          kind.label,
          List.of(new ProtocolError("", "JSON_SYNTAX", "the document " + e.getMessage())));
    }
    List<ProtocolError> errors = validate(kind, tree);
    if (!errors.isEmpty()) {
      throw new ProtocolException(kind.label, errors);
    }
    try {
      return READER.treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      // the schema and the records disagree: a bug here, reported as such
      throw new IllegalStateException(
          kind.label + " validated but does not map: " + e.getOriginalMessage(), e);
    }
  }

  /** Every schema violation of the tree, in document order; empty when it is valid. */
  public static List<ProtocolError> validate(Kind kind, JsonNode tree) {
    Set<ProtocolError> errors = new LinkedHashSet<>();
    for (Error e : SCHEMAS.get(kind).validate(tree)) {
      String keyword = e.getKeyword() == null ? "" : e.getKeyword();
      String pointer = pointer(e.getInstanceLocation());
      String code;
      switch (keyword) {
        case "additionalProperties", "unevaluatedProperties" -> {
          code = "UNKNOWN_FIELD";
          pointer = pointer + "/" + escape(e.getProperty());
        }
        case "required" -> {
          code = "MISSING_FIELD";
          pointer = pointer + "/" + escape(e.getProperty());
        }
        case "type" -> code = "WRONG_TYPE";
        case "enum", "const" -> code = "UNKNOWN_ENUM_VALUE";
        case "allOf", "anyOf", "oneOf", "if", "then" -> {
          continue; // the nested keyword's own error says what is wrong
        }
        default -> code = "INVALID_VALUE";
      }
      errors.add(new ProtocolError(pointer, code, e.getMessage()));
    }
    return new ArrayList<>(errors);
  }

  /**
   * The problems of a refused document without anything taken from it: each error's code and its
   * pointer, with every member name the protocol does not define replaced by {@code *}. For
   * documents read from a file someone named, which may hold secrets (docs/security.md).
   */
  public static String describeWithoutContent(ProtocolException e) {
    StringBuilder sb = new StringBuilder("invalid ").append(e.kind()).append(": ");
    boolean first = true;
    for (ProtocolError error : e.errors()) {
      if (!first) {
        sb.append("; ");
      }
      first = false;
      sb.append(maskPointer(error.pointer())).append(' ').append(error.code());
      if (error.code().equals("JSON_SYNTAX")) {
        sb.append(" (").append(error.message()).append(')');
      }
    }
    return sb.toString();
  }

  /** A pointer with the names the schemas do not define (and any non-index) masked. */
  static String maskPointer(String pointer) {
    if (pointer.isEmpty()) {
      return "(document)";
    }
    StringBuilder out = new StringBuilder();
    for (String segment : pointer.substring(1).split("/", -1)) {
      out.append('/');
      out.append(segment.matches("[0-9]{1,9}") || VOCABULARY.contains(segment) ? segment : "*");
    }
    return out.toString();
  }

  /** Validates a record built in code; throws when it does not conform. */
  public static <T> T validate(Kind kind, T value) {
    List<ProtocolError> errors = validate(kind, WRITER.valueToTree(value));
    if (!errors.isEmpty()) {
      throw new ProtocolException(kind.label, errors);
    }
    return value;
  }

  /** The document as indented JSON (absent optional fields are omitted). */
  public static String toJson(Object value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document as a tree, for hashing or embedding. */
  public static JsonNode toTree(Object value) {
    return WRITER.valueToTree(value);
  }

  /** Reads a record from a tree produced by {@link #toTree} (no validation). */
  public static <T> T fromTree(JsonNode tree, Class<T> type) {
    try {
      return READER.treeToValue(tree, type);
    } catch (IOException e) {
      throw new UncheckedIOException(
          e instanceof JsonProcessingException j ? j : new IOException(e));
    }
  }

  private static String pointer(NodePath path) {
    if (path == null) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object element = path.getElement(i);
      s.append('/')
          .append(
              element instanceof Integer ? element.toString() : escape(String.valueOf(element)));
    }
    return s.toString();
  }

  private static String escape(String token) {
    return token == null ? "" : token.replace("~", "~0").replace("/", "~1");
  }
}
