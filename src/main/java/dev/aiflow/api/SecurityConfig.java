package dev.aiflow.api;

import static dev.aiflow.engine.security.AccessBootstrap.METRICS;

import dev.aiflow.engine.security.CamundaIdentityAuthenticationProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may call what (docs/security.md). Nothing answers without a login but the health probe:
 *
 * <ul>
 *   <li>{@code /camunda/**} (Cockpit, Tasklist, Admin, their assets and their own API {@code
 *       /camunda/api/**}) is left to the webapps exactly as in a stock Camunda Spring Boot app:
 *       their own login form, session and CSRF token. Spring Security only adds headers there.
 *   <li>{@code /engine-rest/**} needs HTTP Basic here and again in Camunda's own filter ({@code
 *       dev.aiflow.engine.security.EngineRestSecurity}), which makes the caller the engine's
 *       authenticated user so Camunda's authorizations apply.
 *   <li>Everything else ({@code /api}, OpenAPI, actuator) is stateless HTTP Basic against the same
 *       Camunda users (no session is created), except {@code /actuator/health}, which tells an
 *       anonymous caller its status only; {@code /actuator/prometheus} needs the group {@code
 *       aiflow-metrics}. The caller becomes the engine's authenticated user for the request, and
 *       each action is checked against Camunda's authorizations ({@code
 *       dev.aiflow.engine.security.ApiAccess}).
 * </ul>
 *
 * Failed logins are throttled per client address ({@link LoginThrottle}); API request bodies are
 * capped ({@link RequestBodyLimit}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
public class SecurityConfig {

  /**
   * The webapps' paths, matched on the raw request URI: Spring's MVC matchers see only the part
   * after a servlet's path, so {@code /camunda/api/**} (a Jersey servlet) would slip past them into
   * the Basic-auth chain and the browser would pop up its own login box.
   */
  static final RequestMatcher WEBAPPS =
      request -> {
        String path = pathOf(request);
        // /camunda-welcome is the webapps' own redirect to the welcome page
        return path.equals("/")
            || path.equals("/camunda")
            || path.startsWith("/camunda/")
            || path.equals("/camunda-welcome");
      };

  static String pathOf(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    return context != null && !context.isEmpty() && uri.startsWith(context)
        ? uri.substring(context.length())
        : uri;
  }

  @Bean
  @Order(1)
  SecurityFilterChain webapps(HttpSecurity http) throws Exception {
    return http.securityMatcher(WEBAPPS)
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .csrf(c -> c.disable()) // the webapps send and check their own CSRF token
        .headers(h -> h.frameOptions(f -> f.sameOrigin()))
        .requestCache(c -> c.disable())
        .securityContext(c -> c.disable())
        .sessionManagement(s -> s.disable()) // the webapps manage their own session
        .anonymous(a -> a.disable())
        .build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain api(
      HttpSecurity http,
      AuthenticationProvider camundaUsers,
      @Qualifier("engineAuthenticationFilter") Filter engineAuthentication)
      throws Exception {
    return http.authorizeHttpRequests(
            a ->
                a.requestMatchers("/actuator/health", "/actuator/health/**")
                    .permitAll()
                    // a scraper's account needs the metrics group, not an operator's rights
                    .requestMatchers("/actuator/prometheus")
                    .hasAuthority(CamundaIdentityAuthenticationProvider.GROUP_PREFIX + METRICS)
                    // error pages render the failure of a request that was already checked
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .authenticationManager(new ProviderManager(camundaUsers))
        .httpBasic(b -> b.realmName("aiflow"))
        .csrf(c -> c.disable()) // stateless HTTP Basic: no cookie for a forged request to ride
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(c -> c.disable())
        .addFilterAfter(engineAuthentication, AuthorizationFilter.class)
        .build();
  }

  @Bean
  FilterRegistrationBean<LoginThrottle> loginThrottle(
      @Value("${aiflow.security.login-throttle.max-failures:5}") int maxFailures,
      @Value("${aiflow.security.login-throttle.base-delay:2s}") Duration baseDelay,
      @Value("${aiflow.security.login-throttle.max-delay:60s}") Duration maxDelay) {
    FilterRegistrationBean<LoginThrottle> r =
        new FilterRegistrationBean<>(
            new LoginThrottle(
                new LoginThrottle.Settings(maxFailures, baseDelay, maxDelay, 10_000),
                Clock.systemUTC()));
    r.setName("aiflow-login-throttle");
    r.addUrlPatterns("/*");
    r.setOrder(-200); // before Spring Security (-100) and Camunda's engine-rest filter
    return r;
  }

  @Bean
  FilterRegistrationBean<NormalizedPathFilter> normalizedPaths() {
    FilterRegistrationBean<NormalizedPathFilter> r =
        new FilterRegistrationBean<>(new NormalizedPathFilter());
    r.setName("aiflow-normalized-paths");
    r.addUrlPatterns("/*");
    r.setOrder(Integer.MIN_VALUE + 10); // before every filter that reads the path
    return r;
  }

  @Bean
  FilterRegistrationBean<RequestBodyLimit> apiBodyLimit(
      @Value("${aiflow.api.max-body-bytes:1048576}") long maxBytes) {
    FilterRegistrationBean<RequestBodyLimit> r =
        new FilterRegistrationBean<>(new RequestBodyLimit(maxBytes));
    r.setName("aiflow-api-body-limit");
    r.addUrlPatterns("/api/*");
    r.setOrder(-150);
    return r;
  }
}
