package dev.lbkit.services.broker;

import static dev.lbkit.services.broker.Brokers.TRACK_A;
import static dev.lbkit.services.broker.Brokers.TRACK_B;
import static dev.lbkit.services.kit.testing.TestHttp.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.broker.store.Status;
import dev.lbkit.services.kit.testing.TestHttp;

/** A restart keeps every allocation and pending deletion: run against SQLite and PostgreSQL. */
final class RestartCheck {
  private RestartCheck() {}

  static void run(Brokers brokers, String db) throws Exception {
    String held;
    String pending;
    try (Broker first = brokers.start(db, Brokers.mock(10));
        TestHttp http = TestHttp.of(first.port())) {
      held =
          http.post("/v1/allocate", bearer(TRACK_A, "X-Track-ID", "track-a"))
              .json()
              .get("sandbox_id")
              .asText();
      pending =
          http.post("/v1/allocate", bearer(TRACK_B, "X-Track-ID", "track-b"))
              .json()
              .get("sandbox_id")
              .asText();
      assertThat(
              http.post(
                      "/v1/sandboxes/" + pending + "/mark-for-deletion",
                      bearer(TRACK_B, "X-Track-ID", "track-b"))
                  .status())
          .isEqualTo(200);
    }
    try (Broker second = brokers.start(db, Brokers.mock(10));
        TestHttp http = TestHttp.of(second.port())) {
      TestHttp.Reply mine =
          http.get("/v1/sandboxes/" + held, bearer(TRACK_A, "X-Track-ID", "track-a"));
      assertThat(mine.json().get("status").asText()).isEqualTo("allocated");
      TestHttp.Reply again = http.post("/v1/allocate", bearer(TRACK_A, "X-Track-ID", "track-a"));
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().get("sandbox_id").asText()).isEqualTo(held);
      assertThat(second.store().find(pending).orElseThrow().status())
          .isEqualTo(Status.PENDING_DELETION);
      assertThat(second.store().counts().get(Status.ALLOCATED)).isEqualTo(1);
      assertThat(second.store().counts().get(Status.PENDING_DELETION)).isEqualTo(1);
      assertThat(second.store().counts().get(Status.AVAILABLE)).isEqualTo(8);
    }
  }

  /** Returns the token printed on the line labelled {@code label}. */
  static String printedToken(String printed, String label) {
    return printed
        .lines()
        .filter(l -> l.contains(label))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + label + " in: " + printed));
  }
}
