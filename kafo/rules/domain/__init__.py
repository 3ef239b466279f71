"""Pure values of the rules (no Django): what a calculation receives from the rule tables."""
