package dev.aiflow.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.json.JsonInputException;
import dev.aiflow.json.StrictJson;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Request bodies of aiflow's API are read by the same strict rules as every JSON file aiflow reads
 * ({@link StrictJson}): duplicate members, trailing content, scalars of the wrong type are refused
 * with 400 naming the member, and so is an explicit {@code null} (omit a member to get its default:
 * a null that silently means "default" hides a caller's mistake).
 */
@Configuration(proxyBeanMethods = false)
public class ApiJson implements WebMvcConfigurer {

  @Bean
  Jackson2ObjectMapperBuilderCustomizer strictRequestBodies() {
    return builder -> builder.postConfigurer(StrictJson::configure);
  }

  @Override
  public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
    for (int i = 0; i < converters.size(); i++) {
      if (converters.get(i) instanceof MappingJackson2HttpMessageConverter jackson
          && !(jackson instanceof Strict)) {
        converters.set(i, new Strict(jackson.getObjectMapper()));
      }
    }
  }

  /** An explicit null in a request body. */
  static final class ExplicitNull extends IOException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    ExplicitNull(String pointer) {
      super("explicit null");
      this.pointer = pointer;
    }

    String field() {
      return pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.');
    }
  }

  /** The body as a strict tree first, then bound: the tree shows explicit nulls. */
  static final class Strict extends MappingJackson2HttpMessageConverter {

    Strict(ObjectMapper mapper) {
      super(mapper);
    }

    @Override
    public Object read(Type type, Class<?> contextClass, HttpInputMessage input)
        throws IOException {
      byte[] bytes = input.getBody().readAllBytes();
      JsonNode tree;
      try {
        tree = StrictJson.readTree(bytes);
      } catch (JsonInputException e) {
        throw new HttpMessageNotReadableException(
            "the request body " + e.getMessage(), new ApiBodyException(e), input);
      }
      String nullAt = StrictJson.firstNull(tree);
      if (nullAt != null) {
        throw new HttpMessageNotReadableException("explicit null", new ExplicitNull(nullAt), input);
      }
      JavaType javaType = getJavaType(type, contextClass);
      try {
        return getObjectMapper().readerFor(javaType).readValue(tree);
      } catch (JsonProcessingException e) {
        throw new HttpMessageNotReadableException(e.getOriginalMessage(), e, input);
      }
    }
  }

  /** A body that is not acceptable JSON, with its content-free description. */
  static final class ApiBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    ApiBodyException(JsonInputException e) {
      super("the request body " + e.getMessage());
    }
  }
}
