package dev.lbkit.services.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TestPostgresTest {
  @Test
  void startsARealServerEvenAsRoot() throws Exception {
    try (TestPostgres pg = TestPostgres.start()) {
      String url = pg.createDatabase("kit_test");
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT version()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).startsWith("PostgreSQL 14");
      }
    }
  }
}
