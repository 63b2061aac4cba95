package dev.sluice.spring.boot.example;

import dev.sluice.client.SluiceClient;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Service;

/** Stores an order, then announces its id on the "orders" queue for the workers that ship it. */
@Service
public class OrderService {
    static final String QUEUE = "orders";

    private final OrderRepository orders;
    private final SluiceClient sluice;

    public OrderService(OrderRepository orders, SluiceClient sluice) {
        this.orders = orders;
        this.sluice = sluice;
    }

    public Order place(Order order) {
        Order saved = orders.save(order);
        sluice.queues().publish(QUEUE, saved.id().getBytes(StandardCharsets.UTF_8));
        return saved;
    }
}
