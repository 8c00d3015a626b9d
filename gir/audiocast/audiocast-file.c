/* placeholder until the implementation lands: keeps the build configurable */
