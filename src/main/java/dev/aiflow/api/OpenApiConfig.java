package dev.aiflow.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document of {@code /api} ({@code /v3/api-docs}, {@code /swagger-ui.html}): a real
 * title, the project's version, what the API is for, HTTP Basic, and on every operation the error
 * answers it may give, all {@code application/problem+json} (RFC 9457) as {@link ProblemHandler}
 * and the security filters write them.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

  static final String PROBLEM_JSON = "application/problem+json";
  static final String PROBLEM_SCHEMA = "Problem";

  /** The error answers every operation documents, and what each means here. */
  static final Map<String, String> ERRORS = errors();

  private static Map<String, String> errors() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("400", "Bad request: `field` names what is wrong and `detail` says why; nothing stored");
    m.put("401", "Not signed in: HTTP Basic with a Camunda user (no browser challenge)");
    m.put("403", "Signed in, but the user's Camunda authorizations do not allow this");
    m.put("404", "No such resource, or none the user may read");
    m.put(
        "409", "Conflicts with the current state (an ended campaign, a running one on the queue)");
    m.put("413", "The request body is larger than the server accepts");
    m.put("429", "Too many failed sign-ins from this address or for this user: retry later");
    return m;
  }

  @Bean
  OpenAPI aiflowOpenApi(ObjectProvider<BuildProperties> build) {
    BuildProperties b = build.getIfAvailable();
    String version = b != null ? b.getVersion() : "dev";
    return new OpenAPI()
        .info(
            new Info()
                .title("aiflow API")
                .version(version)
                .description(
                    "Start, follow and cancel campaigns of AI coding agents over a triage queue"
                        + " (processes/campaign.bpmn), draft requirements for approval in"
                        + " Tasklist and read the freeze in force, and audit a project's"
                        + " hash-chained log and its transparency checkpoints. Every call needs"
                        + " HTTP Basic with a Camunda user; what it may do is Camunda's"
                        + " authorizations (docs/security.md). Errors are RFC 9457 problem"
                        + " details."))
        .components(
            new Components()
                .addSecuritySchemes(
                    "basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic"))
                .addSchemas(PROBLEM_SCHEMA, problemSchema()))
        .addSecurityItem(new SecurityRequirement().addList("basic"));
  }

  /** Adds the error answers to every operation that does not describe them itself. */
  @Bean
  OpenApiCustomizer problemResponses() {
    return api -> {
      if (api.getComponents() == null) {
        api.setComponents(new Components());
      }
      // here, after springdoc has dropped the schemas no operation referenced yet
      api.getComponents().addSchemas(PROBLEM_SCHEMA, problemSchema());
      if (api.getPaths() == null) {
        return;
      }
      api.getPaths()
          .values()
          .forEach(
              item ->
                  item.readOperations()
                      .forEach(
                          op -> {
                            ApiResponses responses =
                                op.getResponses() == null ? new ApiResponses() : op.getResponses();
                            ERRORS.forEach(
                                (code, description) -> {
                                  ApiResponse existing = responses.get(code);
                                  if (existing == null) {
                                    responses.addApiResponse(
                                        code,
                                        new ApiResponse()
                                            .description(description)
                                            .content(problemContent()));
                                  } else {
                                    existing.setContent(problemContent());
                                  }
                                });
                            op.setResponses(responses);
                          }));
    };
  }

  private static Content problemContent() {
    return new Content()
        .addMediaType(
            PROBLEM_JSON,
            new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM_SCHEMA)));
  }

  @SuppressWarnings("rawtypes")
  private static Schema problemSchema() {
    return new ObjectSchema()
        .description("An RFC 9457 problem detail")
        .addProperty("type", new StringSchema().example("about:blank"))
        .addProperty("title", new StringSchema().example("Bad Request"))
        .addProperty("status", new IntegerSchema().example(400))
        .addProperty("detail", new StringSchema().example("must be 1..500 (the campaigns to list)"))
        .addProperty("instance", new StringSchema().example("/api/campaigns"))
        .addProperty("field", new StringSchema().example("limit"));
  }
}
