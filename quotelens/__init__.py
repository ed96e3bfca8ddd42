"""quotelens: who said what in the news."""
