package io.natter.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresServerIT {
    @TempDir
    Path dataDir;

    @Test
    void answersSelectOneOverJdbc() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(dataDir, 0)) {
            assertThat(postgres.jdbcUrl())
                    .isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres?user=postgres");
            try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("select 1, current_setting('listen_addresses')")) {
                assertThat(result.next()).isTrue();
                assertThat(result.getInt(1)).isEqualTo(1);
                assertThat(result.getString(2)).isEqualTo("127.0.0.1");
                assertThat(result.next()).isFalse();
            }
        }
    }

    @Test
    void keepsTablesAcrossARestartOnTheSameDataDir() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(dataDir, 0);
                Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute("create table rooms(id text primary key)");
            statement.execute("insert into rooms values ('general')");
        }
        try (PostgresServer restarted = PostgresServer.start(dataDir, 0);
                Connection connection = DriverManager.getConnection(restarted.jdbcUrl());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select id from rooms")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString(1)).isEqualTo("general");
            assertThat(result.next()).isFalse();
        }
    }
}
