package dev.sluice.spring.boot.example;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.redis.test.autoconfigure.DataRedisTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Boot's Data Redis test slice (only the Redis infrastructure and repositories) against Sluice. */
@DataRedisTest
class OrderRepositoryTest {
    @DynamicPropertySource
    static void sluice(DynamicPropertyRegistry r) {
        SluiceForTests.properties(r);
    }

    @Autowired
    OrderRepository orders;

    @Test
    void savesFindsByIndexAndDeletes() {
        orders.deleteAll();
        orders.save(new Order("o-1", "ada", 1250));
        orders.save(new Order("o-2", "ada", 99));
        orders.save(new Order("o-3", "grace", 5000));

        assertThat(orders.findById("o-1")).contains(new Order("o-1", "ada", 1250));
        assertThat(orders.count()).isEqualTo(3);
        assertThat(orders.findByCustomer("ada")).extracting(Order::id).containsExactlyInAnyOrder("o-1", "o-2");

        orders.deleteById("o-2");
        assertThat(orders.findByCustomer("ada")).extracting(Order::id).containsExactly("o-1");
        assertThat(orders.findById("o-2")).isEmpty();
    }
}
