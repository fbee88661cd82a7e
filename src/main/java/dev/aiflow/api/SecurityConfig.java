package dev.aiflow.api;

import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may call what. Nothing answers without a login but the health probe:
 *
 * <ul>
 *   <li>{@code /camunda/**} (Cockpit, Tasklist, Admin) keeps the webapps' own login and CSRF
 *       protection; only their login page and its static files load without one.
 *   <li>{@code /engine-rest/**} needs HTTP Basic here and again in Camunda's own filter ({@link
 *       dev.aiflow.engine.EngineRestSecurity}), which makes the caller the engine's authenticated
 *       user so Camunda's authorizations apply.
 *   <li>Everything else ({@code /api}, OpenAPI, actuator) needs HTTP Basic against the same Camunda
 *       users, except {@code /actuator/health}.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
public class SecurityConfig {

  @Bean
  @Order(1)
  SecurityFilterChain webapps(HttpSecurity http) throws Exception {
    return http.securityMatcher("/camunda/**", "/")
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .csrf(c -> c.disable()) // the webapps send and check their own CSRF token
        .headers(h -> h.frameOptions(f -> f.sameOrigin()))
        .requestCache(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
        .build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain api(HttpSecurity http, AuthenticationProvider camundaUsers) throws Exception {
    return http.authorizeHttpRequests(
            a ->
                a.requestMatchers("/actuator/health", "/actuator/health/**")
                    .permitAll()
                    // error pages render the failure of a request that was already checked
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .authenticationManager(new ProviderManager(camundaUsers))
        .httpBasic(b -> b.realmName("aiflow"))
        .csrf(c -> c.disable()) // stateless HTTP Basic: no cookie for a forged request to ride
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .build();
  }
}
