package dev.sluice.spring.boot.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.client.QueueTypes;
import dev.sluice.client.SluiceClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole example application against Sluice: an order placed is stored and announced. */
@SpringBootTest
class ExampleApplicationTest {
    @DynamicPropertySource
    static void sluice(DynamicPropertyRegistry r) {
        SluiceForTests.properties(r);
    }

    @Autowired
    OrderService service;
    @Autowired
    OrderRepository orders;
    @Autowired
    SluiceClient sluice;

    @Test
    void placingAnOrder_storesItAndAnnouncesItOnTheQueue() {
        sluice.queues().createQueue(OrderService.QUEUE, QueueTypes.QueueSettings.defaults());

        service.place(new Order("o-42", "linus", 700));

        assertThat(orders.findById("o-42")).isPresent();
        var got = sluice.queues().receive(OrderService.QUEUE, 1, Duration.ofSeconds(5));
        assertThat(got).singleElement().satisfies(d -> {
            assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("o-42");
            assertThat(d.ack()).isTrue();
        });
    }
}
