package dev.aiflow.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.support.ServerTestBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The real server on a random port, attacked over real HTTP: users with and without Camunda groups,
 * requests from other client addresses, and helpers to look for a secret in every answer.
 */
abstract class SecurityTestBase extends ServerTestBase {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired ProcessEngine engine;

  /** A user with a random password in the given Camunda groups; returns the password. */
  String user(String id, String... groups) {
    String password = "pw-" + UUID.randomUUID();
    var identity = engine.getIdentityService();
    if (identity.createUserQuery().userId(id).count() == 0) {
      User u = identity.newUser(id);
      u.setPassword(password);
      identity.saveUser(u);
    } else {
      User u = identity.createUserQuery().userId(id).singleResult();
      u.setPassword(password);
      identity.saveUser(u);
    }
    for (String g : groups) {
      if (identity.createUserQuery().userId(id).memberOfGroup(g).count() == 0) {
        identity.createMembership(id, g);
      }
    }
    return password;
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** The status line and the rest of an HTTP/1.1 answer to a request sent from {@code source}. */
  record Raw(int status, String text) {}

  /**
   * Sends a raw HTTP/1.1 request from a given local address (127.0.0.2 is another client on the
   * same machine: the server listens on 127.0.0.1, the whole 127/8 is loopback).
   */
  Raw raw(String sourceAddress, String method, String path, String authorization)
      throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String request =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
              + "Content-Length: 0\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      String text = buf.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      return new Raw(status, text);
    }
  }
}
