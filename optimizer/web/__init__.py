"""The web deal desk: `tierprice serve`, a page for sales on the JSON API of check and solve."""
