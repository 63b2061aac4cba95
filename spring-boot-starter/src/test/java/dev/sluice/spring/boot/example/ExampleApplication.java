package dev.sluice.spring.boot.example;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application as a Sluice user would write it: orders stored with a Spring Data Redis
 * repository over Sluice's Redis protocol, and announced on a Sluice queue through the
 * auto-configured {@link dev.sluice.client.SluiceClient}. Its tests use Boot's test support as
 * an application's own would: the Data Redis slice and {@code @SpringBootTest}.
 */
@SpringBootApplication
public class ExampleApplication {}
