{{ config(**as_of_partitioned()) }}
{{ flake_rate_rows(dims=['organizer']) }}
